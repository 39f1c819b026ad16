// Community Hub: start GOV.UK Frontend's JavaScript components.
// Load with <script type="module" src="{% static 'hub/init.js' %}"></script>
// (an external file, so it works under the Content Security Policy
// script-src 'self', which blocks inline scripts).
import { initAll } from './govuk-frontend.min.js'

// initAll() only runs when <body> has the govuk-frontend-supported class.
// supported.js normally adds it at the top of <body>; add it here as well in
// case a page leaves that out. Module scripts only run in browsers that
// GOV.UK Frontend supports, so this is always safe.
document.body.classList.add('js-enabled', 'govuk-frontend-supported')

initAll()
