"""The reflection sheet on the DC and Massachusetts profiles, as a worksheet the workbook walks."""
from __future__ import annotations

from typing import Any


from bot.content.knowledge import document
from bot.content.messages import say
from bot.worksheets.fields import CHOICE, TEXT, Field, Worksheet, get_path


def texts() -> dict:
    return document("reflections.yml")


class Reflections(Worksheet):
    kind = "reflections"
    stage = "reflections"
    title = "reflection on the DC and Massachusetts profiles"

    def fields(self, doc: dict, ctx: Any = None) -> list[Field]:
        return [Field(spec["id"], spec["label"], spec["prompt"], CHOICE if spec.get("choices") else TEXT,
                      tuple(spec.get("choices") or ()), help="lessons")
                for spec in texts()["fields"]]

    def intro(self, ctx: Any = None) -> str:
        return " ".join(texts()["intro"].split())

    def summary(self, doc: dict, ctx: Any = None) -> str:
        return say("stages.reflections_summary")

    def completion(self, doc: dict, ctx: Any = None) -> str:
        return say("stages.reflections_saved")

    def export(self, doc: dict) -> dict:
        return {spec["id"].replace("lessons.", "lessons_"): get_path(doc, spec["id"]) for spec in texts()["fields"]}
