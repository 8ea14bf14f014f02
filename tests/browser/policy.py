"""Content-Security-Policy violations as a browser reports them (for the Playwright tests)."""

from __future__ import annotations

# Playwright's init scripts run outside the page's Content-Security-Policy, so this listener
# reports every violation the page itself causes.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${where}`);
});
"""


def watch_policy(context) -> list[str]:
    """The Content-Security-Policy violations any page of `context` reports, as they come
    (the `securitypolicyviolation` event and Chromium's own console message)."""
    violations: list[str] = []
    context.add_init_script(REPORT_VIOLATIONS)

    def on_console(message) -> None:
        text = message.text
        if "CSP violation" in text or "Content Security Policy" in text:
            violations.append(text)

    context.on("console", on_console)
    return violations
