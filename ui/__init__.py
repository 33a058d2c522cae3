"""The shopper-facing Gradio app: `ui.app.build_app(assistant)` and `ui.app.serve(config)`.

Nothing is imported here so that `import ui` stays cheap; Gradio loads with `ui.app`.
"""
