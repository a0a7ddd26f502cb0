"""Arabic: group thousands.

Django's Arabic formats name the separators (decimal ",", thousands ".", as Arabic
written with Latin digits in North Africa does) but no grouping, so `intcomma`
printed 10000 where French prints 10 000. Digits stay Latin, as everywhere else
on the site.
"""

NUMBER_GROUPING = 3
