// Community Hub: CSP-safe replacement for GOV.UK Frontend's inline snippet.
// Load as the first thing inside <body>, as a classic (not module) script:
// <script src="{% static 'hub/supported.js' %}"></script>
// Adding the classes before the page renders avoids a flash of
// un-enhanced components (accordions, tabs) before init.js runs.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '')
