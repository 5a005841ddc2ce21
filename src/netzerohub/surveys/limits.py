"""How often one may write to a survey (per hour): one set of limits shared by the pages and the
API, which count against the same keys (`core.ratelimit`)."""

PERIOD = 3600
ANSWER_ACTION, ANSWERS_PER_HOUR = "surveys.answer", 1200  # saved as given, texts as typed
START_ACTION, STARTS_PER_HOUR = "surveys.start", 60
SUBMIT_ACTION, SUBMITS_PER_HOUR = "surveys.submit", 60
