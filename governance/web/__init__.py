"""Server-rendered pages for officers, leaders, departments and supervisors."""
