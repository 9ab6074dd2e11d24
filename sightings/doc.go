// Package sightings turns the hit statistics of a period (package hits,
// Stats.Cut) into sightings that threat-intelligence platforms load:
// MISP sightings and STIX 2.1 sighting objects, so that a SOC's platform
// learns which indicators fired, how often and when ("feedback").
//
// # MISP
//
// MISP (WriteMISP) gives a JSON array of the bodies of MISP's
// /sightings/add API, one per indicator per period: "values" (or "id", a
// MISP attribute uuid, when the indicator came from MISP: that attribute
// exactly), "source" (the sensor), "type" "0" (a sighting), "timestamp"
// (the last hit, Unix seconds), and "count", the hits in the period.
// MISP's API has no count (one call, one sighting): it ignores the key,
// so each record adds one sighting per indicator per period, which is
// what MISP's decay models read (a recent sighting), and the volume is in
// "count" for a reader or a poster that repeats the call. Post each
// element (PyMISP: misp.add_sighting(element)).
//
// # STIX 2.1
//
// STIX (WriteSTIX) gives a bundle: an identity for the sensor
// (identity_class "system"), one sighting per indicator per period with
// count, first_seen, last_seen (the first and last hits in the period),
// where_sighted_refs and created_by_ref the sensor's identity, and
// sighting_of_ref the indicator's STIX id when it came from STIX (its
// record's indicator.Meta.ID, "indicator--…"), else an indicator made for
// it in the bundle (its STIX pattern). Ids are UUIDv5 of what the object
// stands for: exporting the same period twice gives the same objects, and
// a consumer does not count them twice.
//
// WriteFile writes either (ParseFormat reads iocscan's
// -sightings-format) atomically.
//
// # Resource usage
//
// Both allocate their output, in time linear in the entries of the
// period; nothing is kept between calls.
package sightings
