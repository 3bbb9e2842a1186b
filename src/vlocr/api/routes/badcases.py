"""``GET /v1/bad-cases`` and ``GET /v1/bad-cases/export``: the results users marked wrong."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from vlocr.api.deps import get_state
from vlocr.api.http.errors import ApiError
from vlocr.api.schemas import ERROR_RESPONSES
from vlocr.badcases import BadCase, BadCaseStore

router = APIRouter(tags=["bad cases"])


class BadCaseList(BaseModel):
    directory: str
    used_bytes: int
    max_bytes: int
    cases: list[BadCase]


def _store(request: Request) -> BadCaseStore:
    store = get_state(request).bad_cases
    if store is None:
        raise ApiError(
            404,
            "bad_cases_disabled",
            "this server does not keep bad cases",
            "start it with 'vlocr serve --bad-cases DIR' (VLOCR_SERVER__BAD_CASES_DIR)",
        )
    return store


@router.get(
    "/v1/bad-cases",
    response_model=BadCaseList,
    summary="List the results users marked wrong, with their corrections (newest first)",
    responses=ERROR_RESPONSES,
)
async def list_bad_cases(request: Request) -> BadCaseList:
    store = _store(request)
    return BadCaseList(
        directory=str(store.directory),
        used_bytes=store.used_bytes(),
        max_bytes=store.max_bytes,
        cases=store.list(),
    )


@router.get(
    "/v1/bad-cases/export",
    summary="All bad cases as one zip: <id>/case.json + <id>/image.* (a `vlocr bench "
    "--format badcases` folder once unzipped)",
    response_class=StreamingResponse,
    responses={**ERROR_RESPONSES, 200: {"content": {"application/zip": {}}}},
)
async def export_bad_cases(request: Request) -> StreamingResponse:
    store = _store(request)
    return StreamingResponse(
        store.export_zip(),
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="vlocr-bad-cases.zip"'},
    )
