"""The students' link to a classroom room, /r/CODE: a redirect to the page with the room in
its hash (`#room=CODE`), so a link or a QR code is short and the page stays at /, where its
relative URLs (api/..., css/..., js/...) resolve.

The code is read as the rooms API reads a typed one (rooms/codes.py `read_code`); whether
the room exists is the page's to say, so nothing is looked up here and a guess learns nothing.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from chainrule.errors import RoomNotFound
from chainrule.rooms.codes import read_code
from chainrule.settings import ROOM_CODE_LENGTH

router = APIRouter(include_in_schema=False)  # the page's link, not part of the API

# 303 See Other, not 307: the answer is another resource (the page), to be fetched with
# GET whatever was asked, and never cached without a header saying so. The Location is
# relative, so the link works behind a path prefix too: from /r/CODE, "../" is "/".
_STATUS = 303
NOT_A_CODE = (f"not a room code: a room code is {ROOM_CODE_LENGTH} letters and digits "
              "(dashes and spaces ignored)")


def _page(code_text: str, up: str) -> RedirectResponse:
    code = read_code(code_text)
    if code is None:
        raise RoomNotFound(NOT_A_CODE)  # api/errors.py: 404 room_not_found
    return RedirectResponse(f"{up}#room={code}", status_code=_STATUS)


@router.api_route("/r/{code}", methods=["GET", "HEAD"])
def room_link(code: str) -> RedirectResponse:
    """/r/7qk3-m9tbxd -> ../#room=7QK3M9TBXD (the page at /, the room's code normalised)."""
    return _page(code, "../")


@router.api_route("/r/{code}/", methods=["GET", "HEAD"])
def room_link_slash(code: str) -> RedirectResponse:
    """The same link with a trailing slash: one folder deeper, so ../../ is the page."""
    return _page(code, "../../")
