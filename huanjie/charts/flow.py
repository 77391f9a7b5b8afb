"""流程图: the 15 stages and 47 steps of both elections, with their gates, from the catalogue.

One lane per election, one column per stage (in run order), the stage's steps stacked in
it. A step with a gate carries a red 审批 diamond and the approving body; a conditional step
is dashed; an arrow leads from each stage to the next and from the Party lane to the
villager-committee lane (分段选举: the Party election comes first).
"""

from __future__ import annotations

from huanjie.charts.svg import Svg

COL, BOX_W, BOX_H, GAP, HEAD = 178, 150, 60, 12, 52
ELECTIONS = {"party": "村党组织换届选举", "vc": "村民委员会换届选举"}


def _wrap(text: str, width: int = 11) -> list[str]:
    return [text[i:i + width] for i in range(0, len(text), width)][:2]


def render_flow(catalogue, gate_roles: dict[str, str]) -> str:
    lanes = [(e, catalogue.stages(e)) for e in catalogue.elections]
    tallest = {e: max(len(catalogue.stage_steps(s.key)) for s in stages) for e, stages in lanes}
    columns = max(len(stages) for _, stages in lanes)
    width = 40 + columns * COL
    lane_h = {e: HEAD + tallest[e] * (BOX_H + GAP) + 30 for e, _ in lanes}
    height = 70 + sum(lane_h.values()) + 40
    steps = len(catalogue.steps())
    stages_n = sum(len(s) for _, s in lanes)
    svg = Svg(width, height)
    title = f"村“两委”换届选举流程图（{stages_n} 个阶段、{steps} 个关键步骤，目录版本 {catalogue.version}）"
    svg.title(title)
    svg.text(20, 32, title, size=18, font_weight="bold")
    svg.parts.append('<defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto">'
                     '<path d="M0,0 L8,4 L0,8 Z" fill="#616161"/></marker></defs>')
    top = 60
    previous_lane_end = None
    for election, stages in lanes:
        svg.rect(10, top, width - 20, lane_h[election] - 10, fill="#fafafa", stroke="#9e9e9e", rx=6)
        svg.text(20, top + 20, f"{ELECTIONS.get(election, election)}（{len(stages)} 个阶段）", size=14,
                 font_weight="bold")
        for c, stage in enumerate(stages):
            x = 20 + c * COL
            specs = catalogue.stage_steps(stage.key)
            svg.rect(x, top + 28, BOX_W, 20, fill="#37474f", rx=3)
            svg.text(x + BOX_W / 2, top + 42, f"{stage.key} {stage.name[:10]}", size=11, fill="#ffffff",
                     text_anchor="middle")
            if c:
                svg.line(x - COL + BOX_W + 2, top + 38, x - 2, top + 38, stroke="#616161", stroke_width=1.5,
                         marker_end="url(#arrow)")
            for r, spec in enumerate(specs):
                y = top + HEAD + r * (BOX_H + GAP)
                _step_box(svg, x, y, spec, gate_roles)
                if r:
                    svg.line(x + BOX_W / 2, y - GAP, x + BOX_W / 2, y, stroke="#9e9e9e", marker_end="url(#arrow)")
        if previous_lane_end is not None:
            svg.line(previous_lane_end[0], previous_lane_end[1], 20 + BOX_W / 2, top + 28, stroke="#616161",
                     stroke_width=1.5, stroke_dasharray="6,3", marker_end="url(#arrow)")
        previous_lane_end = (20 + (len(stages) - 1) * COL + BOX_W / 2, top + lane_h[election] - 12)
        top += lane_h[election]
    _legend(svg, height - 16)
    return svg.render()


def _step_box(svg: Svg, x: float, y: float, spec, gate_roles: dict[str, str]) -> None:
    conditional = spec.condition is not None
    svg.rect(x, y, BOX_W, BOX_H, fill="#ffffff", stroke="#1565c0", stroke_width=1.2, rx=5,
             stroke_dasharray="4,3" if conditional else None)
    svg.text(x + 6, y + 15, spec.key, size=11, fill="#1565c0", font_weight="bold")
    for i, line in enumerate(_wrap(spec.name)):
        svg.text(x + 6, y + 29 + i * 13, line, size=10.5 if len(line) > 9 else 11)
    if spec.documents:
        svg.text(x + BOX_W - 4, y + 15, " ".join(spec.documents[:3]), size=8.5, fill="#6d4c41", text_anchor="end")
    if spec.gate:
        cx, cy = x + BOX_W - 12, y + BOX_H - 9
        svg.path(f"M {cx} {cy - 7} L {cx + 7} {cy} L {cx} {cy + 7} L {cx - 7} {cy} Z", fill="#d32f2f",
                 stroke="#ffffff")
        label = spec.gate_label or gate_roles.get(spec.gate, spec.gate)
        svg.text(x + 6, y + BOX_H - 5, f"审批：{label}"[:13], size=9, fill="#d32f2f")


def _legend(svg: Svg, y: int) -> None:
    svg.path(f"M 30 {y - 9} L 39 {y} L 30 {y + 9} L 21 {y} Z", fill="#d32f2f")
    svg.text(46, y + 4, "审批关口（须乡镇审批后方可继续）", size=11)
    svg.rect(300, y - 8, 30, 16, fill="#ffffff", stroke="#1565c0", stroke_dasharray="4,3")
    svg.text(336, y + 4, "附条件步骤（条件不成立时记录理由后跳过）", size=11)
    svg.text(640, y + 4, "右上角：步骤产生的文书编号", size=11, fill="#6d4c41")
