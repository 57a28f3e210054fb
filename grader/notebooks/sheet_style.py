"""Inline CSS of the review sheet (kept apart so review.py stays about content)."""

CSS = """
:root { --ink: #1d2430; --muted: #5b6472; --line: #d6dbe3; --card: #ffffff; --bg: #f3f5f8;
        --accent: #2f5d9b; --warn: #9a5b00; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans CJK SC",
       "PingFang SC", "Microsoft YaHei", sans-serif;
       color: var(--ink); background: var(--bg); }
header { padding: 20px 28px 12px; background: var(--card); border-bottom: 1px solid var(--line); }
h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0 0 8px; color: var(--muted); }
nav a { display: inline-block; margin: 0 14px 4px 0; color: var(--accent);
        text-decoration: none; font-weight: 600; }
section { padding: 18px 28px 28px; border-bottom: 1px solid var(--line);
          break-before: page; }
h2 { margin: 0 0 6px; font-size: 19px; color: var(--accent); }
.prompt { max-width: 70em; color: var(--ink); background: #e9eef6; border-left: 4px solid
          var(--accent); padding: 4px 14px; margin: 0 0 8px; }
.count { margin: 0 0 12px; color: var(--muted); font-size: 13px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr));
        gap: 14px; align-items: start; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px;
        padding: 10px 14px; overflow-wrap: anywhere; }
.card h3 { margin: 0 0 6px; font-size: 14px; font-family: ui-monospace, Menlo, monospace;
           color: var(--muted); border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.card p { margin: 0 0 8px; }
.card.empty { background: #fafbfc; }
.none { color: var(--muted); font-style: italic; }
.twin { color: var(--warn); font-size: 12px; font-weight: 600; margin: 0 0 6px; }
pre { background: #f6f8fa; border: 1px solid var(--line); padding: 8px; overflow-x: auto;
      white-space: pre-wrap; }
code { font-family: ui-monospace, Menlo, monospace; font-size: 13px; background: #f1f3f6;
       padding: 0 3px; border-radius: 3px; }
pre code { background: none; padding: 0; }
@media print { body { background: #fff; } .card { break-inside: avoid; } }
"""
