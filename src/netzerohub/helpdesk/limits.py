"""How often one may write to the helpdesk (per hour): one set of limits shared by the pages and
the API, which count against the same keys (`core.ratelimit`)."""

MEMBER_TICKETS_PER_HOUR = 10  # new tickets per person
VISITOR_QUESTIONS_PER_HOUR = 5  # contact-form questions per IP address
REPLIES_PER_HOUR = 60  # replies, answers, notes and ratings per person
VISITOR_REPLIES_PER_LINK = 20  # replies through one private link
VISITOR_REPLIES_PER_ADDRESS = 40  # replies per IP address, over all links
