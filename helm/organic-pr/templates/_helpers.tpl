{{- define "organic-pr.env" -}}
{{- range $key, $value := .Values.env }}
- name: {{ $key }}
  value: {{ $value | quote }}
{{- end }}
- name: GITHUB_APP_PRIVATE_KEY_FILE
  value: /var/run/secrets/organic-pr/private-key.pem
{{- end -}}
{{- define "organic-pr.volumes" -}}
- name: app-key
  secret:
    secretName: {{ .Values.privateKeySecret }}
    items: [{key: private-key.pem, path: private-key.pem}]
- name: data
  persistentVolumeClaim:
    claimName: {{ .Values.sharedVolume.claimName }}
{{- end -}}
{{- define "organic-pr.mounts" -}}
- name: app-key
  mountPath: /var/run/secrets/organic-pr
  readOnly: true
- name: data
  mountPath: /data
{{- end -}}
