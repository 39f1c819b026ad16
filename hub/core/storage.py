from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    # Rewrite `import ... from './govuk-frontend.min.js'` in init.js to the hashed name,
    # so browsers never pair a new init.js with an old cached GOV.UK Frontend.
    support_js_module_import_aggregation = True
