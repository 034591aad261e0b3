"""What "You May Also Like" reads: the editors' own picks and the computed similar articles."""

from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable


class EditorsPick(Orderable):
    """An article the editors want readers of this one to see next; shown before the
    computed ones, in the editors' order."""

    article = ParentalKey(
        "news.ArticlePage", on_delete=models.CASCADE, related_name="editors_picks"
    )
    pick = models.ForeignKey(
        "news.ArticlePage",
        on_delete=models.CASCADE,
        related_name="picked_for",
        verbose_name="article",
        help_text="Shown first under “You May Also Like”. Unpublished picks drop out by "
        "themselves.",
    )

    panels = [FieldPanel("pick")]

    class Meta(Orderable.Meta):
        verbose_name = "editors' pick"
        constraints = [
            models.UniqueConstraint(fields=["article", "pick"], name="unique_editors_pick")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.pick_id}"


class EditorsExclusion(Orderable):
    """A computed article the editors never want under this one: it is skipped and the next
    one fills its place. Kept apart from the computed lists, so recomputing never undoes it."""

    article = ParentalKey(
        "news.ArticlePage", on_delete=models.CASCADE, related_name="editors_exclusions"
    )
    excluded = models.ForeignKey(
        "news.ArticlePage",
        on_delete=models.CASCADE,
        related_name="excluded_from",
        verbose_name="article",
        help_text="Never shown under “You May Also Like” of this article, however similar.",
    )

    panels = [FieldPanel("excluded")]

    class Meta(Orderable.Meta):
        verbose_name = "editors' exclusion"
        constraints = [
            models.UniqueConstraint(fields=["article", "excluded"], name="unique_editors_exclusion")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} ↛ {self.excluded_id}"


class SimilarArticle(models.Model):
    """A computed neighbour of an article: kept by the recompute task, read by the page.

    Each article keeps its best few (more than the page shows, so that an unpublished
    neighbour leaves a spare rather than a gap until the next recompute).
    """

    article = models.ForeignKey(
        "news.ArticlePage", on_delete=models.CASCADE, related_name="similar_articles"
    )
    similar = models.ForeignKey("news.ArticlePage", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(help_text="1 is the most similar.")
    score = models.FloatField(
        help_text="Cosine similarity of the two articles' TF-IDF vectors, plus what their "
        "closest neighbours share."
    )
    reason = models.CharField(
        max_length=255, blank=True, help_text="What the two have in common, for editors."
    )
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["article", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["article", "similar"], name="unique_similar_article")
        ]
        indexes = [models.Index(fields=["article", "rank"])]

    def __str__(self) -> str:
        return f"{self.article_id} ~ {self.similar_id} ({self.score:.2f})"


class Term(models.Model):
    """A word or a tag of the similarity's vocabulary, with the number of stored article
    vectors that have it: what weighs one article's terms without reading the others."""

    WORD, TAG = "w", "t"  # as gazette.related.similarity.WORD and TAG

    kind = models.CharField(max_length=1, choices=[(WORD, "word"), (TAG, "tag")])
    key = models.CharField(max_length=100, help_text="The word, or the tag's name in lower case.")
    name = models.CharField(max_length=100, help_text="As shown to editors in a reason.")
    document_frequency = models.IntegerField(
        default=0, help_text="Readable articles that have the term (kept by the recompute task)."
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="unique_term")]

    def __str__(self) -> str:
        return f"{self.name} ({self.document_frequency})"


class ArticleVector(models.Model):
    """One readable article's terms and weighted vector, kept by the recompute task so that
    publishing one article vectorises that article only.

    Both are packed arrays (``vectors.pack``): term ids then values, little-endian int32 and
    float32. ``terms`` holds every term with its count (what the document frequencies
    count); ``vector`` the weights the similarity multiplies, as of ``computed_at``.
    """

    article = models.OneToOneField(
        "news.ArticlePage",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="similarity_vector",
    )
    terms = models.BinaryField()
    vector = models.BinaryField()
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"vector of {self.article_id}"
