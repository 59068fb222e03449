"""A long file (one row per answer: respondent, question, value) read as the wide table glapp
imports (one row per respondent, one column per question).

The mapping marks a long file by mapping one column to `@question` and one to `@answer`; the
other columns describe the respondent (id, date, touchpoint, …) and repeat on each of their
rows. Rows are grouped by the column mapped to `external_id`, else `customer_id`, else by all
respondent columns together, in the order respondents first appear, so the file need not be
sorted. The question cells go through the question column's value map, then question texts
and keys are recognised. A respondent whose rows disagree (two dates, two answers to one
question) is one rejected row naming the lines, and every one of its rows goes to the error file.

Grouping holds the file in memory: a long file of a few million answers is fine; a larger
history imports as wide files."""

from glapp.core.errors import FieldError
from glapp.responses.importing.reading import Table, unique_name

QUESTION, ANSWER = "@question", "@answer"
LONG_TARGETS = (QUESTION, ANSWER)


class Grouped(list):
    """A respondent's cells in the wide shape, with the file's rows they came from."""

    __slots__ = ("problems", "sources")

    def __init__(self, cells, sources, problems):
        super().__init__(cells)
        self.sources = sources
        self.problems = problems


def is_long(mapping: dict[str, str]) -> bool:
    targets = set(mapping.values())
    return QUESTION in targets and ANSWER in targets


def widen(table: Table, mapping: dict[str, str], questions, answers=None) -> tuple[Table, dict[str, str]]:
    """The long `table` as a wide one, and the mapping for its columns. `questions` turns a
    question cell into a question key (a `values.ColumnValues`); `answers`, when given, maps
    each answer cell (Likert labels to scores)."""
    header = table.header
    q_index = next(i for i, c in enumerate(header) if mapping.get(c) == QUESTION)
    a_index = next(i for i, c in enumerate(header) if mapping.get(c) == ANSWER)
    kept = [i for i in range(len(header)) if i not in (q_index, a_index)]
    by_target = {mapping.get(header[i], header[i]): i for i in kept}
    id_index = by_target.get("external_id", by_target.get("customer_id"))

    groups: dict = {}
    order: list = []
    width = len(header)
    for line, cells in table.rows:
        if len(cells) < width:
            cells = [*cells, *[""] * (width - len(cells))]
        key = (cells[id_index].strip(),) if id_index is not None else tuple(cells[i].strip() for i in kept)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {"first": line, "sources": [], "respondent": {}, "answers": {}, "problems": []}
            order.append(key)
        group["sources"].append((line, cells))
        for i in kept:
            value = cells[i].strip() if isinstance(cells[i], str) else cells[i]
            if not value:
                continue
            held = group["respondent"].get(i)
            if held is None:
                group["respondent"][i] = (value, line)
            elif held[0] != value:
                group["problems"].append(FieldError(header[i], f"is '{str(held[0])[:40]}' on line {held[1]} but "
                                                               f"'{str(value)[:40]}' on line {line}"))
        label = cells[q_index].strip()
        if not label:
            group["problems"].append(FieldError(header[q_index], f"is empty on line {line}"))
            continue
        key_of_question = questions(label)
        if not key_of_question:
            continue  # mapped to blank: a question the import leaves out
        value = cells[a_index].strip()
        if answers is not None and value:
            value = answers(value)
        held = group["answers"].get(key_of_question)
        if held is not None and held[0] != value:
            group["problems"].append(FieldError(header[a_index], f"answers '{label[:40]}' twice: line {held[1]} "
                                                                 f"and line {line}"))
        else:
            group["answers"][key_of_question] = (value, line)

    question_keys: list[str] = []
    for key in order:
        for question in groups[key]["answers"]:
            if question not in question_keys:
                question_keys.append(question)
    taken = {header[i] for i in kept}
    columns = [unique_name(k, taken) for k in question_keys]
    wide_header = [header[i] for i in kept] + columns
    wide_mapping = {header[i]: mapping.get(header[i], header[i]) for i in kept}
    wide_mapping.update(dict(zip(columns, question_keys, strict=True)))

    def rows():
        for key in order:
            group = groups.pop(key)
            respondent = group["respondent"]
            cells = [respondent.get(i, ("", 0))[0] for i in kept]
            cells += [group["answers"].get(k, ("", 0))[0] for k in question_keys]
            yield group["first"], Grouped(cells, group["sources"], group["problems"])

    return Table(wide_header, rows(), table.format, table.encoding, table.delimiter, progress=lambda: None,
                 close=table.close), wide_mapping
