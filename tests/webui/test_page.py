"""The web page in headless Chromium: upload, recognise, region by clicks, chat with the tiny model."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def receipt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = REPO / "examples" / "receipt.jpg"
    if path.exists():
        return path
    from PIL import Image, ImageDraw, ImageFont  # fallback: render a small receipt

    img = Image.new("RGB", (600, 260), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 28)
    for i, line in enumerate(["GREENLEAF MARKET", "Whole Milk 1L 1.89", "TOTAL 3.78"]):
        draw.text((20, 20 + i * 70), line, font=font, fill="black")
    out = tmp_path_factory.mktemp("r") / "receipt.png"
    img.save(out)
    return out


def test_upload_recognise_select_region_and_chat(ui_server, browser, receipt: Path) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1400, "height": 1500})
    page.set_default_timeout(90_000)
    page.goto(ui_server.url + "/")
    assert page.url.rstrip("/").endswith("/ui")
    page.get_by_text("识别 / Recognize").first.wait_for()

    page.locator("#upload input[type=file]").set_input_files(str(receipt))
    page.locator("#original img").wait_for()
    page.locator("#recognize").click()
    text_box = page.locator("#ocr-text textarea")
    page.wait_for_function(
        "() => (document.querySelector('#ocr-text textarea')?.value || '').includes('GREENLEAF')"
    )
    assert "Whole Milk" in text_box.input_value()
    page.locator("#annotated img").wait_for()
    assert page.locator("#lines").get_by_text("GREENLEAF MARKET").count() >= 1

    image = page.locator("#original img")
    box = image.bounding_box()
    assert box is not None
    image.click(position={"x": box["width"] * 0.1, "y": box["height"] * 0.1})
    page.wait_for_timeout(500)
    image.click(position={"x": box["width"] * 0.6, "y": box["height"] * 0.3})
    page.wait_for_function(
        "() => Number(document.querySelector('#region-w input')?.value || 0) > 0"
    )
    assert int(page.locator("#region-h input").input_value()) > 0

    page.locator("#chat-input textarea").fill("What is the total?")
    page.locator("#chat-send").click()
    page.wait_for_function(
        "() => document.querySelectorAll('#chat .message').length >= 2 || document.querySelectorAll('#chat [data-testid=\"bot\"]').length >= 1"
    )
    assert page.locator("#chat").get_by_text("What is the total?").count() >= 1

    artifacts = REPO / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "webui.png"))
    page.close()
