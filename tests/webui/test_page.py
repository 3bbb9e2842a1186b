"""The web page in headless Chromium: read the bundled receipt, chat with the tiny model, extract,
mark a read wrong, list it (page and API), read it back with ``vlocr bench --format badcases``;
the page's height at desktop size and its width at phone size. Writes docs/screenshots/."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
RECEIPT = REPO / "examples" / "receipt.jpg"
SHOTS = REPO / "docs" / "screenshots"
pytestmark = pytest.mark.browser

DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}

# Visible elements whose box is wider than the window, or reaching past its right edge.
TOO_WIDE_JS = """() => {
  const w = window.innerWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    if (r.width > w + 1 || r.right > w + 1) {
      out.push(`${el.tagName}#${el.id}.${String(el.className).slice(0, 40)} ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
  }
  return out.slice(0, 10);
}"""


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """A viewport screenshot, palette-reduced so the committed PNGs stay small."""
    from PIL import Image

    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    Image.open(path).convert("RGB").quantize(colors=96).save(path, optimize=True)


def open_page(browser, url: str, viewport: dict[str, int]):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport=viewport)
    page.set_default_timeout(90_000)
    page.goto(url + "/")
    assert page.url.rstrip("/").endswith("/ui")
    page.locator("#recognize").wait_for()
    return page


def upload_and_read(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("#upload input[type=file]").set_input_files(str(RECEIPT))
    page.locator("#original img").wait_for()
    page.wait_for_function(
        "() => (document.querySelector('#file-info')?.innerText || '').includes('receipt.jpg')"
    )
    page.locator("#recognize").click()
    page.wait_for_function(
        "() => (document.querySelector('#ocr-text textarea')?.value || '').includes('GREENLEAF')"
    )
    page.locator("#annotated img").wait_for()


def tab(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("#views button[role=tab]", has_text=name).first.click()


def test_desktop_read_chat_extract_and_bad_case(
    ui_server, browser, bad_case_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    page = open_page(browser, ui_server.url, DESKTOP)
    upload_and_read(page)
    assert "TOTAL 39.54" in page.locator("#ocr-text textarea").input_value()
    assert page.locator("#lines").get_by_text("GREENLEAF MARKET").count() >= 1

    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height <= 3 * DESKTOP["height"], f"page is {height} px tall after a read"
    print(f"page height after a read at 1400x1000: {height} px")
    # The way to the chat is on the first screen, and the chat input on the screen after one click.
    page.evaluate("window.scrollTo(0, 0)")
    ask_tab = page.locator("#views button[role=tab]", has_text="Ask").first.bounding_box()
    assert ask_tab is not None and ask_tab["y"] + ask_tab["height"] <= DESKTOP["height"]
    assert not page.locator("#ocr-json").is_visible()  # the result JSON is collapsed
    shot(page, "desktop-read")

    image = page.locator("#original img")
    box = image.bounding_box()
    assert box is not None
    image.click(position={"x": box["width"] * 0.15, "y": box["height"] * 0.15})
    page.wait_for_function(
        "() => (document.querySelector('#region-info')?.innerText || '').includes('second corner')"
    )
    image.click(position={"x": box["width"] * 0.85, "y": box["height"] * 0.5})
    page.wait_for_function(
        "() => (document.querySelector('#region-info')?.innerText || '').includes('×')"
    )
    page.get_by_text("Options and region").click()
    assert int(page.locator("#region-h input").input_value()) > 0
    page.get_by_text("整页 / Whole page").click()
    page.wait_for_function(
        "() => (document.querySelector('#region-info')?.innerText || '').includes('whole page')"
    )
    page.get_by_text("Options and region").click()

    # Ask: the answer streams into the conversation (the bot message changes before the end).
    tab(page, "Ask")
    chat_input = page.locator("#chat-input textarea")
    chat_input.wait_for()
    box = chat_input.bounding_box()
    assert box is not None and box["y"] + box["height"] <= DESKTOP["height"], box
    page.evaluate(
        """() => {
          window.__botTexts = [];
          new MutationObserver(() => {
            const bots = document.querySelectorAll('#chat .bot-row');
            const last = bots.length ? bots[bots.length - 1].innerText : '';
            if (last && window.__botTexts[window.__botTexts.length - 1] !== last) window.__botTexts.push(last);
          }).observe(document.body, {subtree: true, childList: true, characterData: true});
        }"""
    )
    # Sampling makes the random tiny model write several pieces instead of one.
    page.get_by_text("Ask and extract options").click()
    page.locator("#temperature input[type=number]").fill("1")
    page.locator("#temperature input[type=number]").press("Enter")
    chat_input.fill("What is the total?")
    page.locator("#chat-send").click()
    page.wait_for_function(
        "() => /found in|not in the OCR|supporting|no numbers/.test("
        "document.querySelector('#checks')?.innerText || '')"
    )
    texts = page.evaluate("() => window.__botTexts")
    assert len(texts) >= 2 and texts[0] == "…", f"the answer did not stream: {texts}"
    print("streamed bot texts:", texts)
    assert page.locator("#chat").get_by_text("What is the total?").count() >= 1
    page.locator("#evidence img").wait_for()
    shot(page, "desktop-ask")

    # The conversation belongs to this image: it is still there after visiting other views.
    tab(page, "Extract")
    page.locator("#extract").click()
    page.wait_for_function(
        "() => /valid for the schema|did not validate/.test("
        "document.querySelector('#extract-status')?.innerText || '')"
    )
    page.wait_for_timeout(800)  # let the outputs fade in before the screenshot
    shot(page, "desktop-extract")

    # Mark the read wrong with a correction.
    tab(page, "Read")
    page.get_by_text("This is wrong").first.click()
    fix = page.locator("#read-fix textarea")
    fix.wait_for()
    assert "GREENLEAF" in fix.input_value()  # prefilled with the result to edit
    fix.fill("GREENLEAF MARKET\nTOTAL 39.54 GBP")
    page.locator("#read-note textarea").fill("currency missing")
    # A person leaves the box before clicking; the page's copy of the value follows the DOM's a
    # moment after an input event (a click within milliseconds of fill() sent the old text).
    page.locator("#read-note textarea").press("Tab")
    page.wait_for_timeout(300)
    page.locator("#read-save").click()
    page.wait_for_function(  # the save is confirmed in a toast, or refused with a red one
        "() => /bad case saved|错误|error|wrong/i.test("
        "[...document.querySelectorAll('.toast-body')].map(t => t.innerText).join(' '))"
    )
    toasts = page.evaluate(
        "() => [...document.querySelectorAll('.toast-body')].map(t => t.innerText).join(' | ')"
    )
    assert "bad case saved" in toasts, toasts
    tab(page, "Bad cases")
    try:
        page.wait_for_function(
            "() => (document.querySelector('#cases')?.innerText || '').includes('TOTAL 39.54 GBP')",
            timeout=30_000,
        )
    except Exception as err:
        status = page.evaluate("() => document.querySelector('#cases-status')?.innerText")
        table = page.evaluate("() => document.querySelector('#cases')?.outerHTML")
        raise AssertionError(
            f"the case is not listed; status: {status!r}; table: {table!r}"
        ) from err
    assert "receipt.jpg" in page.locator("#cases").inner_text()
    page.wait_for_timeout(800)
    shot(page, "desktop-cases")
    page.close()

    listed = httpx.get(ui_server.url + "/v1/bad-cases", timeout=10).json()
    assert len(listed["cases"]) == 1
    case = listed["cases"][0]
    assert case["kind"] == "read" and case["correction"] == "GREENLEAF MARKET\nTOTAL 39.54 GBP"
    assert case["source"] == "receipt.jpg" and case["note"] == "currency missing"
    assert "GREENLEAF" in case["result"]["text"]
    assert (bad_case_dir / case["id"] / "image.jpeg").read_bytes() == RECEIPT.read_bytes()

    out = tmp_path / "bench"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "vlocr.cli.main", "bench", "--data", str(bad_case_dir)]
        + ["--format", "badcases", "--data-only", "--engines", "rapidocr", "--presets", "none"]
        + ["--no-speed", "--no-progress", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads((out / "results.json").read_text())
    samples = [s for s in results["samples"] if s["item_id"] == f"badcases:{case['id']}"]
    assert samples and samples[0]["scores"]["ref_chars"] > 0


def test_phone_width_fits(ui_server, browser) -> None:  # type: ignore[no-untyped-def]
    page = open_page(browser, ui_server.url, PHONE)
    upload_and_read(page)
    for name, view in (
        ("Read", "read"),
        ("Ask", "ask"),
        ("Extract", "extract"),
        ("Bad cases", "cases"),
    ):
        tab(page, name)
        page.wait_for_timeout(300)
        too_wide = page.evaluate(TOO_WIDE_JS)
        assert not too_wide, f"{name}: wider than {PHONE['width']} px: {too_wide}"
        page.evaluate("document.querySelector('#views').scrollIntoView()")
        shot(page, f"phone-{view}")
    page.close()
