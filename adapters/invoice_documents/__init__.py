"""Invoice documents: branded HTML (``html.render_html``) and PDF (``pdf.render_pdf``).

Both format an ``InvoiceDocument`` and nothing else: the service decides what it holds (a
source's copy comes from ``InvoiceDocument.for_source``). The PDF module is imported on its
own, so that rendering HTML does not load ReportLab.
"""
