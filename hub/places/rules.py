"""Who may see and manage areas. Areas and postcodes hold no personal data, so every
member of any organisation may see them; changing them is for the host's administrators."""

import rules

from hub.organisations.rules import is_host_administrator, is_member

rules.add_perm("places.view_area", is_member)
rules.add_perm("places.manage_areas", is_host_administrator)
