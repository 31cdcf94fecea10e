"""Classroom rooms: a teacher's steps followed by students, and the class's answers counted
(docs/classroom.md). No HTTP here: api/rooms.py is the edge."""
