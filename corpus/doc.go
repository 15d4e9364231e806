// Package corpus ships elib's sample element library, compiled into the binary.
//
// The sample is original ad copy written for this product: labelled
// short-video scripts (钩子/冲突/证言/转化, some with 故事) in nine product
// categories — 美妆护肤, 零食饮品, 母婴用品, 数码配件, 宠物用品, 家居清洁,
// 个护健康, 家纺, 茶叶 — plus 生鲜水果 and mixed assets in the table and feed
// exports. It uses every input format of SPEC §2: labelled .md/.txt with the
// three label styles and optional time ranges and inline annotations,
// labelled .srt subtitles, a .jsonl feed export with metadata and a Feishu
// Bitable .csv export with Chinese headers.
//
// Data leaves the package read-only: Library returns the scripts as an fs.FS
// rooted at the library folder (paths such as "beauty/serum-01_精华液.md" are
// the asset ids a library import gives them), Allowlist returns the sample's
// boilerplate phrases (legal disclaimers and one brand slogan per category),
// and Examples returns new scripts to check against the sample, with their
// expected verdicts documented in the folder's README.md. Nothing enters the
// package at run time; `elib check` falls back to it when no library exists on
// disk.
package corpus
