"""Value maps to start from, for the mapping page and `glapp import`: the distinct values of
each column in the file's first rows, and for those a value map suggests (names to codes,
option texts to option codes, Likert labels to scores, "N/A" to blank)."""

from glapp.responses.catalog import Catalog
from glapp.responses.importing.layout import ANSWER, QUESTION
from glapp.responses.importing.reading import open_table
from glapp.responses.importing.values import References, fold, likert_score, question_labels, suggest_values

SCAN_ROWS = 20_000
MAX_DISTINCT = 40  # a column with more distinct values is free text or ids: no value map is offered


def distinct_values(path, width: int, *, encoding: str | None = None, fmt: str | None = None,
                    rows: int = SCAN_ROWS) -> dict[int, list[str]]:
    """Column index → its distinct values in the first `rows` rows, in order of appearance;
    columns with more than MAX_DISTINCT are left out."""
    seen: dict[int, dict[str, None]] = {i: {} for i in range(width)}
    with open_table(path, fmt, encoding) as table:
        for n, (_line, cells) in enumerate(table.rows):
            if n >= rows:
                break
            for i, cell in enumerate(cells[:width]):
                values = seen.get(i)
                if values is None:
                    continue
                text = str(cell).strip()
                if text and text not in values:
                    values[text] = None
                    if len(values) > MAX_DISTINCT:
                        del seen[i]
    return {i: list(v) for i, v in seen.items() if v}


def questions_by_key(catalog: Catalog) -> dict:
    out = {}
    for survey in catalog.surveys.values():
        for key, question in survey.questions.items():
            out.setdefault(key, question)
    return out


def suggest_for(target: str, distinct: list[str], catalog: Catalog, references: References,
                questions: dict, survey: str | None = None) -> dict[str, str]:
    """A column's suggested value map for its target (`@question` and `@answer` included)."""
    if target == QUESTION:
        known, keys = question_labels(catalog, survey)
        return {v: known[fold(v)] for v in distinct if v not in keys and fold(v) in known}
    if target == ANSWER:  # a long file's answers: Likert labels on the 5-point scale most share
        out = {}
        for value in distinct:
            score = likert_score(value, "csat")
            if score is not None:
                out[value] = score
        return out
    return suggest_values(target, distinct, catalog, references, questions.get(target))


def suggested_values(organization_id: int, path, header: list[str], mapping: dict[str, str], catalog: Catalog,
                     *, encoding: str | None = None, fmt: str | None = None, survey: str | None = None
                     ) -> dict[str, dict[str, str]]:
    references = References.load(organization_id, catalog)
    questions = questions_by_key(catalog)
    out = {}
    for index, distinct in distinct_values(path, len(header), encoding=encoding, fmt=fmt).items():
        column = header[index]
        target = mapping.get(column, column)
        if not target:
            continue
        suggested = suggest_for(target, distinct, catalog, references, questions, survey)
        if suggested:
            out[column] = suggested
    return out
