"""Errors raised by the migrations library.

MigrationError
 ├── ReleaseError
 │    ├── ReleaseNotFound      the index has no installable artifact for (package, version)
 │    └── ArchiveError         the downloaded wheel or sdist cannot be unpacked safely
 ├── AnalysisError             griffe could not load the package sources
 ├── DependencyFileError       a dependency declaration or lock file cannot be parsed
 └── CodemodError              a source file cannot be parsed or rewritten by libcst
"""

from __future__ import annotations


class MigrationError(Exception):
    """Base class of every error raised by `migrations`."""


class ReleaseError(MigrationError):
    """A release could not be brought into the cache."""


class ReleaseNotFound(ReleaseError):
    """The package index has no usable artifact for the requested release."""

    def __init__(self, package: str, version: str, detail: str = "") -> None:
        self.package = package
        self.version = version
        message = f"no wheel or sdist of {package}=={version} found on the configured package indexes"
        super().__init__(f"{message}: {detail}" if detail else message)


class ArchiveError(ReleaseError):
    """A downloaded archive is corrupt or tries to write outside its directory."""


class AnalysisError(MigrationError):
    """Static analysis of a package failed."""


class DependencyFileError(MigrationError):
    """A dependency declaration or lock file is malformed."""


class CodemodError(MigrationError):
    """A codemod could not parse or rewrite a source file."""
