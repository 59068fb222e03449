"""How every page writes a figure: localized (a Swedish decimal comma), rounded before decimals
are cut (number_format truncates, so 81.8 would read 81), never "−0", and a true minus sign."""

from django.utils import formats


def number(value: float | None, decimals: int = 0, signed: bool = False) -> str:
    if value is None or value == "":
        return "–"
    rounded = round(float(value), decimals) or 0.0
    text = formats.number_format(rounded, decimals, use_l10n=True)
    if signed and rounded > 0:
        text = "+" + text
    return text.replace("-", "−")
