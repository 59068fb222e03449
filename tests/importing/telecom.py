"""A survey export as a telecom's survey tool writes it (invented, shaped like real ones): dates
as DD/MM/YYYY HH:MM, touchpoints by their labels ("First Payment"), satisfaction as Likert
labels with an "N/A do not use", a column without a name and a repeated "Comment" header.

`telecom_export()` is the helper other tests (the browser test of a first day with one's own
data among them) build their file from: it says what each touchpoint label should count after
the import."""

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass, field

from glapp.journeys.actions import create_journey
from glapp.surveys import question_types as qt
from glapp.surveys.actions import QuestionSpec, create_survey

HEADER = ["Respondent ID", "Survey Date", "Touchpoint", "Likelihood to recommend", "Overall satisfaction",
          "", "Comment", "Comment"]
LIKERT = ["Very Dissatisfied", "Dissatisfied", "Neither Satisfied nor Dissatisfied", "Satisfied", "Very Satisfied"]
NOT_APPLICABLE = "N/A do not use"
TOUCHPOINTS = ("Order", "Installation", "First Payment", "Support Call")
COMMENTS = ["Installationen gick smidigt", "The technician was late", "Bill was higher than promised",
            "Fast service", "", "Kundtjänst svarade snabbt", "=HYPERLINK(\"http://x\")"]


@dataclass
class TelecomExport:
    content: bytes
    header: list[str]
    counts: dict[str, int]  # touchpoint label → rows that import
    scores: dict[str, int] = field(default_factory=dict)  # Likert label → rows with it
    rows: list[list[str]] = field(default_factory=list)
    bad_lines: list[int] = field(default_factory=list)  # lines (header = 1) that must be rejected

    def write(self, path):
        path.write_bytes(self.content)
        return path


def telecom_export(touchpoints=TOUCHPOINTS, per_touchpoint: int = 6, *, seed: int = 14, first_day=dt.date(2024, 9, 2),
                   bad_date: bool = True, delimiter: str = ";") -> TelecomExport:
    """`per_touchpoint` answers per touchpoint label over three months from `first_day` (every
    day of the month occurs, so the day-first order shows), plus one row dated 31/02 when
    `bad_date`. Deterministic for a seed."""
    rng = random.Random(seed)
    rows, counts, scores = [], {}, {}
    n = 0
    for label in touchpoints:
        for i in range(per_touchpoint):
            n += 1
            day = first_day + dt.timedelta(days=(n * 7 + i * 3) % 88)
            hour, minute = 8 + n % 12, (n * 13) % 60
            satisfaction = NOT_APPLICABLE if n % 7 == 0 else LIKERT[rng.randrange(5)]
            scores[satisfaction] = scores.get(satisfaction, 0) + 1
            rows.append([f"T-{1000 + n}", f"{day:%d/%m/%Y} {hour:02d}:{minute:02d}", label, str(rng.randrange(11)),
                         satisfaction, rng.choice(["Stockholm", "Göteborg", ""]), COMMENTS[n % len(COMMENTS)],
                         rng.choice(["", "Andra kommentaren"])])
            counts[label] = counts.get(label, 0) + 1
    bad_lines = []
    if bad_date:
        rows.insert(3, ["T-9999", "31/02/2024 10:00", touchpoints[0], "7", LIKERT[3], "", "", ""])
        bad_lines.append(5)  # header = line 1, so the fourth row is line 5
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return TelecomExport(out.getvalue().encode("utf-8"), HEADER, counts, scores, rows, bad_lines)


def telecom_org_setup(org, touchpoints=TOUCHPOINTS[:3], survey: str = "tnps"):
    """A journey holding the touchpoints (by those names, codes derived) and a transactional NPS
    survey with an NPS, a CSAT and a comment question: what the export's columns map to."""
    create_journey(org, "Customer journey", [("Buy", list(touchpoints[:1])), ("Use", list(touchpoints[1:]))],
                   code="telecom")
    return create_survey(org, name="Transactional NPS", code=survey, questions=[
        QuestionSpec("tnps", qt.NPS, {"en": "How likely are you to recommend us?"}, required=True),
        QuestionSpec("satisfaction", qt.CSAT, {"en": "Overall satisfaction"}),
        QuestionSpec("remarks", qt.TEXT, {"en": "Comment"}),
    ])


TELECOM_MAPPING = {
    "Respondent ID": "external_id", "Survey Date": "submitted_at", "Touchpoint": "touchpoint",
    "Likelihood to recommend": "tnps", "Overall satisfaction": "satisfaction", "column 6": "meta.city",
    "Comment": "remarks", "Comment (2)": "",
}
