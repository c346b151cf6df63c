"""The only way WeasyPrint reads anything: local files under the project's allowed folders.

Stylesheets, fonts and attachments are fetched through `LocalFetcher`. It refuses every other
scheme (http, data, ftp…), any path that leaves the allowed folders (through `..` or a symlink),
and a missing file, each by stopping the render with `RefusedResource`, whose message names
the resource.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from ..errors import EditionError
from ..gate import inside_project

MEDIA_TYPES = {
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".xml": "application/xml",
    ".rng": "application/xml",
}


class RefusedResource(FatalURLFetchingError):
    """A resource the render asked for and may not, or cannot, have."""


class LocalFetcher(URLFetcher):
    """Serves `file:` URLs of files inside `roots`, and nothing else."""

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols=("file",), fail_on_errors=True)
        self.roots = [root.resolve() for root in roots]

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        path = self.path_of(url)
        body = path.read_bytes()
        media_type = MEDIA_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
        return URLFetcherResponse(url, body, {"Content-Type": media_type or "application/octet-stream"})

    def path_of(self, url: str) -> Path:
        """The file a URL names, if it may be read; otherwise `RefusedResource`."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedResource(f"refused to fetch {url}: only local files of the project are read")
        path = Path(url2pathname(parts.path)).resolve()  # url2pathname decodes: once only
        root = next((root for root in self.roots if path.is_relative_to(root)), None)
        if root is None:
            raise RefusedResource(f"refused to read {path}: it is outside the project's styles/ and source/")
        if not path.exists():
            raise RefusedResource(f"missing file {path}")
        try:
            return inside_project(path, root)
        except EditionError as error:  # a folder, a device, a pipe
            raise RefusedResource(f"refused to read {path}: {str(error).split(': ', 1)[-1]}") from None
