"""The print layout: the print edition's HTML laid out by WeasyPrint into the PDF.

Takes the `Edition` and its print HTML (`html.print`), the print stylesheets and the faces.
Gives the archival PDF (tagged PDF/A with its sources attached) or a quick proof, and the
summaries of its pages, from which the EPUB's page list takes where each print page begins.

Open `pdf.py` first (`Typesetter`: each part laid out, numbered on from the last, and joined).
`typeset.py` holds every use of WeasyPrint's and pydyf's internals; `breaks.py` keeps each note
on its call's page; `rejoin.py` lets an edited part fall back into step with its last layout;
`parallel.py` lays the parts of a cold layout out side by side in worker processes; `memory.py`
keeps the pages laid out so far, and what `edition watch` keeps from one save to the next, from
being scanned again and again by Python's garbage collector.
"""
