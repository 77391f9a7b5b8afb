"""时间表、流程图: the timeline (Gantt) and the flow chart, generated from the catalogue and the cases."""
