"""查重: copied evidence across candidates (issue 16 §4).

Files are fingerprinted (content hash, and a perceptual hash for images) and texts
(医案, 医术专长综述, 跟师/实践经历) are indexed with character n-gram MinHash; a pair found
either way is one `Match` row. The reviewer screens read matches through review's scoped
selectors: this package knows nothing of who may see what.
"""
