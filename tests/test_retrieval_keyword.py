from retrieval.keyword import KeywordIndex, reciprocal_rank_fusion, tokenize


def test_tokenize_chinese_and_latin():
    assert tokenize("运费") == ["运", "费", "运费"]
    assert tokenize("How do I return THE shoes?") == ["retur", "shoes"]
    assert tokenize("devolver")[0] == tokenize("devoluciones")[0]


def test_keyword_search_with_coverage_and_filter():
    index = KeywordIndex([("a", "运费是多少 shipping cost"), ("b", "如何退货 return policy")])
    hits = index.search("运费是多少？")
    assert hits[0].doc_id == "a" and hits[0].coverage == 1.0
    assert index.search("运费是多少", allowed={"b"}) == []
    assert index.search("   ") == []


def test_reciprocal_rank_fusion():
    assert reciprocal_rank_fusion([["x", "y", "z"], ["y", "x"]])[:2] in (["x", "y"], ["y", "x"])
    assert reciprocal_rank_fusion([["x", "y"], ["y", "z"]])[0] == "y"
