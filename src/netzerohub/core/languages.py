"""Languages a person may speak or a city may work in (ISO 639-1), in their English names."""

from django.utils.translation import gettext_lazy as _

LANGUAGE_CHOICES = [
    ("sq", _("Albanian")), ("hy", _("Armenian")), ("bs", _("Bosnian")), ("bg", _("Bulgarian")),
    ("ca", _("Catalan")), ("hr", _("Croatian")), ("cs", _("Czech")), ("da", _("Danish")),
    ("nl", _("Dutch")), ("en", _("English")), ("et", _("Estonian")), ("fo", _("Faroese")),
    ("fi", _("Finnish")), ("fr", _("French")), ("ka", _("Georgian")), ("de", _("German")),
    ("el", _("Greek")), ("he", _("Hebrew")), ("hu", _("Hungarian")), ("is", _("Icelandic")),
    ("ga", _("Irish")), ("it", _("Italian")), ("lv", _("Latvian")), ("lt", _("Lithuanian")),
    ("lb", _("Luxembourgish")), ("mk", _("Macedonian")), ("mt", _("Maltese")),
    ("cnr", _("Montenegrin")), ("no", _("Norwegian")), ("pl", _("Polish")),
    ("pt", _("Portuguese")), ("ro", _("Romanian")), ("sr", _("Serbian")), ("sk", _("Slovak")),
    ("sl", _("Slovenian")), ("es", _("Spanish")), ("sv", _("Swedish")), ("tr", _("Turkish")),
    ("uk", _("Ukrainian")), ("ar", _("Arabic")), ("eu", _("Basque")), ("gl", _("Galician")),
]  # fmt: skip
LANGUAGE_NAMES = dict(LANGUAGE_CHOICES)
