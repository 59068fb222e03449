"""What the fixed emotion set reads as, in the UI's languages: the respondent pages, the builder's
preview and the reports show the same words. (`question_types` stays free of Django.)"""

from django.utils.translation import gettext_lazy

EMOTION_LABELS = {
    "joy": gettext_lazy("Joy"),
    "trust": gettext_lazy("Trust"),
    "relief": gettext_lazy("Relief"),
    "surprise_positive": gettext_lazy("Pleasant surprise"),
    "disappointment": gettext_lazy("Disappointment"),
    "frustration": gettext_lazy("Frustration"),
    "anger": gettext_lazy("Anger"),
    "worry": gettext_lazy("Worry"),
    "neutral": gettext_lazy("Neutral"),
}
