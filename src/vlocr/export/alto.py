"""ALTO 4 XML: ``Description`` (pixel units, the software) and a ``Layout`` of one ``Page`` per
read page, each with ``PrintSpace > TextBlock > TextLine > String`` and ``SP`` between words."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from vlocr.export.words import line_words, quad_bbox
from vlocr.results import PageResult, ReadResult

ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"
_SCHEMA = "http://www.loc.gov/standards/alto/v4/alto-4-2.xsd"


def _geometry(box: tuple[float, float, float, float]) -> str:
    x0, y0, x1, y1 = box
    return (
        f'HPOS="{round(x0)}" VPOS="{round(y0)}" '
        f'WIDTH="{max(0, round(x1 - x0))}" HEIGHT="{max(0, round(y1 - y0))}"'
    )


def _page(page: PageResult, number: int) -> list[str]:
    out = [
        f'  <Page ID="page_{number}" PHYSICAL_IMG_NR="{page.page}" '
        f'WIDTH="{page.width}" HEIGHT="{page.height}">',
        f"   <PrintSpace {_geometry((0, 0, page.width, page.height))}>",
    ]
    for li, line in enumerate(page.lines, 1):
        ident = f"{number}_{li}"
        geometry = _geometry(quad_bbox(line.box))
        out.append(f'    <TextBlock ID="block_{ident}" {geometry}>')
        out.append(f'     <TextLine ID="line_{ident}" {geometry}>')
        for wi, word in enumerate(line_words(line), 1):
            if wi > 1:
                out.append("      <SP/>")
            wc = f"{max(0.0, min(1.0, word.confidence)):.3f}"
            out.append(
                f'      <String ID="string_{ident}_{wi}" CONTENT={quoteattr(word.text)} '
                f'{_geometry(word.bbox)} WC="{wc}"/>'
            )
        out.extend(["     </TextLine>", "    </TextBlock>"])
    out.extend(["   </PrintSpace>", "  </Page>"])
    return out


def to_alto(result: ReadResult) -> str:
    """One ALTO document; every successfully read page becomes a ``Page`` of its ``Layout``."""
    from vlocr import __version__

    pages = [p for p in result.pages if p.ok]
    file_name = pages[0].source if pages else ""
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<alto xmlns="{ALTO_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{ALTO_NS} {_SCHEMA}">',
        " <Description>",
        "  <MeasurementUnit>pixel</MeasurementUnit>",
        "  <sourceImageInformation>",
        f"   <fileName>{escape(file_name)}</fileName>",
        "  </sourceImageInformation>",
        '  <OCRProcessing ID="OCR_0">',
        "   <ocrProcessingStep>",
        "    <processingSoftware>",
        "     <softwareName>vlocr</softwareName>",
        f"     <softwareVersion>{__version__}</softwareVersion>",
        "    </processingSoftware>",
        "   </ocrProcessingStep>",
        "  </OCRProcessing>",
        " </Description>",
        " <Layout>",
    ]
    body: list[str] = []
    for number, page in enumerate(pages, 1):
        body.extend(_page(page, number))
    return "\n".join(head + body + [" </Layout>", "</alto>", ""])
