"""After the meeting: attendance headcounts, feedback with follow-ups, the topic backlog, trends and the Table 1 overview."""
