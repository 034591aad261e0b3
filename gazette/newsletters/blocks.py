"""What an issue is made of: headings, the editor's words, and stories (each shown as a teaser
with a link to the site: the only links, never rewritten for tracking)."""

from wagtail import blocks


class StoryBlock(blocks.StructBlock):
    article = blocks.PageChooserBlock(page_type="news.ArticlePage")
    note = blocks.TextBlock(
        required=False, help_text="A line of your own under the story's standfirst."
    )

    class Meta:
        icon = "doc-full"
        label = "Story"


class IssueBodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(max_length=100, icon="title")
    paragraph = blocks.RichTextBlock(features=["bold", "italic", "link"], icon="pilcrow")
    story = StoryBlock()
