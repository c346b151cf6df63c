-- The fair peer's print edition (peer.py): Pandoc's notes as WeasyPrint footnotes.
-- Each note becomes a span of class "footnote", left where its call is, which footnotes.css
-- floats to the foot of its page (`float: footnote`); WeasyPrint numbers the call and the note.
-- A note of several paragraphs keeps them apart with a line break: a span holds no paragraph.
function Note(note)
  return pandoc.Span(pandoc.utils.blocks_to_inlines(note.content, {pandoc.LineBreak()}), {class = "footnote"})
end

-- The EPUB's cover picture: the print edition it is measured against has none.
function Image()
  return {}
end
