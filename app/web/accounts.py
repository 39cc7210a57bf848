"""Signing in and out (hosted mode), and who is signed in."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app import accounts
from app.web.access import client_address, hosted, user_accounts
from app.web.pages import render, set_cookie

router = APIRouter()


@router.get("/signin")
async def sign_in_page(request: Request) -> Response:
    if not hosted(request):
        return RedirectResponse("/", status_code=303)
    return render(request, "signin.html", email="", error_key=None)


@router.post("/signin")
async def sign_in(
    request: Request,
    email: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if not hosted(request):
        return RedirectResponse("/", status_code=303)

    def again(error_key: str, status_code: int) -> Response:
        return render(request, "signin.html", status_code=status_code, email=email, error_key=error_key)

    if not request.app.state.sign_in_limiter.take(client_address(request)):
        return again("signin.rate_limited", 429)
    found = await asyncio.to_thread(accounts.check_password, user_accounts(request), email, password)
    if found is None or found.id is None:
        return again("signin.wrong", 401)
    token = await asyncio.to_thread(accounts.start_session, user_accounts(request), found.id)
    response = RedirectResponse("/", status_code=303)
    set_cookie(request, response, accounts.SESSION_COOKIE, token, max_age=accounts.SESSION_DAYS * 86_400)
    return response


@router.post("/signout")
async def sign_out(request: Request) -> Response:
    token = request.cookies.get(accounts.SESSION_COOKIE)
    if token:
        await asyncio.to_thread(accounts.end_session, user_accounts(request), token)
    response = RedirectResponse("/signin" if hosted(request) else "/", status_code=303)
    response.delete_cookie(accounts.SESSION_COOKIE)
    return response
