package fulltext

import (
	"fmt"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	"github.com/blevesearch/bleve/v2/mapping"

	"elib/element"
	"elib/fulltext/analysis/zh"
)

// Field names in the index.
const (
	FieldText     = "text"
	FieldTitle    = "title"
	FieldType     = "type"
	FieldAssetID  = "asset_id"
	FieldCampaign = "campaign"
	FieldPlatform = "platform"
	// FieldAttrPrefix prefixes attribute fields: attr.camera, attr.bgm_bpm…
	FieldAttrPrefix = "attr."
)

// Doc is one element as the search index stores it.
type Doc struct {
	// ID is the element id, unique in the library.
	ID string
	// AssetID is the id of the asset the element belongs to.
	AssetID string
	// Type is the element type (hook, conflict, …).
	Type string
	// Text is the element's copy text.
	Text string
	// Title is the asset's title.
	Title string
	// Campaign and Platform come from the asset's metadata; both are facets.
	Campaign, Platform string
	// Attributes are indexed as keyword fields attr.<key> (keys containing
	// "." and empty values are skipped); copy_verbs, a comma-separated
	// list, as one term per verb.
	Attributes map[string]string
	// Meta is the asset's metadata, indexed as keyword fields meta.<key>.
	Meta map[string]string
	// BPM is the element's bgm_bpm, Plays the asset's play count; nil when
	// unknown.
	BPM, Plays *float64
	// Published is the asset's published time (zero when unknown).
	Published time.Time
}

// NewMapping returns elib's index mapping: Text and Title analysed with
// elib_zh (stored, with term vectors for phrases and highlighting), keyword
// fields for type, asset id, campaign, platform and attr.* (doc values only
// on the faceted ones). It contains no file paths.
func NewMapping() mapping.IndexMapping {
	im := bleve.NewIndexMapping()
	im.DefaultAnalyzer = zh.Name
	im.StoreDynamic = false
	im.DocValuesDynamic = false
	im.IndexDynamic = true

	text := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = zh.Name
		f.Store = true
		f.IncludeTermVectors = true
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	kw := func(store, docValues bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Store = store
		f.DocValues = docValues
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		return f
	}
	if err := im.AddCustomAnalyzer(KeywordAnalyzer, map[string]interface{}{
		"type":          custom.Name,
		"tokenizer":     single.Name,
		"token_filters": []string{lowercase.Name},
	}); err != nil {
		panic(fmt.Sprintf("fulltext mapping: %v", err)) // a static definition: cannot fail
	}
	lowerKW := func(docValues bool) *mapping.FieldMapping {
		f := kw(false, docValues)
		f.Analyzer = KeywordAnalyzer
		return f
	}
	el := bleve.NewDocumentStaticMapping()
	el.AddFieldMappingsAt(FieldText, text())
	el.AddFieldMappingsAt(FieldTitle, text())
	el.AddFieldMappingsAt(FieldType, kw(true, true))
	el.AddFieldMappingsAt(FieldAssetID, kw(true, false))
	el.AddFieldMappingsAt(FieldCampaign, lowerKW(true))
	el.AddFieldMappingsAt(FieldPlatform, lowerKW(true))
	num := func(store bool) *mapping.FieldMapping {
		f := bleve.NewNumericFieldMapping()
		f.Store, f.DocValues, f.IncludeInAll = store, true, false
		return f
	}
	el.AddFieldMappingsAt(FieldBPM, num(false))
	el.AddFieldMappingsAt(FieldPlays, num(true))
	pub := bleve.NewDateTimeFieldMapping()
	pub.Store, pub.DocValues, pub.IncludeInAll = true, true, false
	el.AddFieldMappingsAt(FieldPublished, pub)
	attr := bleve.NewDocumentMapping() // dynamic: any attribute key
	attr.DefaultAnalyzer = KeywordAnalyzer
	attr.AddFieldMappingsAt(element.AttrCamera, lowerKW(true))
	attr.AddFieldMappingsAt(element.AttrSubtitleColor, lowerKW(true))
	el.AddSubDocumentMapping(strings.TrimSuffix(FieldAttrPrefix, "."), attr)
	meta := bleve.NewDocumentMapping() // dynamic: any metadata key
	meta.DefaultAnalyzer = KeywordAnalyzer
	el.AddSubDocumentMapping(strings.TrimSuffix(FieldMetaPrefix, "."), meta)
	im.DefaultMapping = el
	return im
}

// fields is the document bleve indexes for d.
func (d *Doc) fields() map[string]interface{} {
	m := map[string]interface{}{FieldText: d.Text}
	set := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	set(FieldTitle, d.Title)
	set(FieldType, d.Type)
	set(FieldAssetID, d.AssetID)
	set(FieldCampaign, d.Campaign)
	set(FieldPlatform, d.Platform)
	if len(d.Attributes) > 0 {
		attr := make(map[string]interface{}, len(d.Attributes))
		for k, v := range d.Attributes {
			if k != "" && v != "" && !strings.Contains(k, ".") {
				attr[k] = v
				if k == element.AttrCopyVerbs {
					attr[k] = strings.Split(v, ",")
				}
			}
		}
		m[strings.TrimSuffix(FieldAttrPrefix, ".")] = attr
	}
	if len(d.Meta) > 0 {
		meta := make(map[string]interface{}, len(d.Meta))
		for k, v := range d.Meta {
			if k != "" && v != "" && !strings.Contains(k, ".") {
				meta[k] = v
			}
		}
		m[strings.TrimSuffix(FieldMetaPrefix, ".")] = meta
	}
	if d.BPM != nil {
		m[FieldBPM] = *d.BPM
	}
	if d.Plays != nil {
		m[FieldPlays] = *d.Plays
	}
	if !d.Published.IsZero() {
		m[FieldPublished] = d.Published
	}
	return m
}
