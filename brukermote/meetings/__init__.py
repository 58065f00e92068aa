"""Planning meetings: venues, meetings, programme, speakers, budget and the committee's checklist."""
