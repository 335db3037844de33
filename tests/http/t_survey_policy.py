"""The suite's own policy rows for the surveys chapter (issue 14): survey definitions, links,
responses (personal data), satisfaction aggregates and department follow-ups. Transcribed from
docs/API.md ("Needs and satisfaction"), not read from the server. The surveys, answers, results
and follow-ups modules test the routes; this one only states who may."""

import policy as pol
from policy import ALL, SCOPE, NONE, _roles

# Definitions are company-wide: admin and director build and delete them; team leads build and
# change them; everyone who works accounts reads them (to send them); hr nothing.
SURVEY_READ = _roles(ALL, hr=NONE)
SURVEY_WRITE = _roles(NONE, admin=ALL, director=ALL, team_lead=ALL)
SURVEY_DELETE = _roles(NONE, admin=ALL, director=ALL)
# Links (who was sent what, answered or not) follow the account's scope. Account managers and
# team leads send to their accounts' contacts; only team leads, director and admin revoke.
LINK_READ = _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE,
                   service=SCOPE, viewer=SCOPE)
LINK_WRITE = _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE)
LINK_DELETE = _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE)
# A response is what one person said: read by the account team (service included: they fix what
# it says), never by finance, hr or viewers (they see aggregates only). Staff who took the answers
# by phone enter them (create). Never edited; only admin erases one.
RESP_READ = _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE, service=SCOPE)
RESP_CREATE = RESP_READ
RESP_UPDATE = _roles(NONE)
RESP_DELETE = _roles(NONE, admin=ALL)
# Aggregates (NPS, CSAT, driver scores, results without verbatims): read only, in scope.
SAT_READ = _roles(NONE, admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE, account_manager=SCOPE,
                  service=SCOPE, viewer=SCOPE)
# Follow-ups: the account team works them; viewers read in scope; finance and hr nothing.
FU_READ = _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE,
                 service=SCOPE, viewer=SCOPE)
FU_WRITE = _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE, service=SCOPE)
FU_DELETE = _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE)

pol.EXPECTED.update({
    ("survey", "read"): SURVEY_READ,
    ("survey", "create"): SURVEY_WRITE,
    ("survey", "update"): SURVEY_WRITE,
    ("survey", "delete"): SURVEY_DELETE,
    ("survey_link", "read"): LINK_READ,
    ("survey_link", "create"): LINK_WRITE,
    ("survey_link", "update"): LINK_WRITE,
    ("survey_link", "delete"): LINK_DELETE,
    ("survey_response", "read"): RESP_READ,
    ("survey_response", "create"): RESP_CREATE,
    ("survey_response", "update"): RESP_UPDATE,
    ("survey_response", "delete"): RESP_DELETE,
    ("satisfaction", "read"): SAT_READ,
    ("follow_up", "read"): FU_READ,
    ("follow_up", "create"): FU_WRITE,
    ("follow_up", "update"): FU_WRITE,
    ("follow_up", "delete"): FU_DELETE,
})

GROUPS = []
