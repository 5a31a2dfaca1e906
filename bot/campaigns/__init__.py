"""Migration campaigns: org-wide, scheduled dependency migrations with one PR per repository.

Pure cores: `config` (the `campaigns` key of the org's organic-pr.yml), `schedule` (cron slots), `graph`
(dependency order inside the org), `rollout` (who gets a PR now under the limits), `changelog`, `render`.
Adapters: `scan` (repositories and their declarations), `releases`, `github`, `migrate` (one repository),
`jobs` (the arq cron tick and the campaign job).
"""
