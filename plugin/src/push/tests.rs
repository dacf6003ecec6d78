//! Write-back rules that need no store.

use super::*;

#[test]
fn shipment_marker_is_stable_per_carrier_and_number_and_ignores_case() {
    let s =
        |c: &str, n: &str| Shipment { order_id: 1, carrier: c.into(), tracking_number: n.into(), tracking_url: None };
    assert_eq!(s("UPS", "1Z999").marker_key(), s("ups", "1z999").marker_key());
    assert_ne!(s("UPS", "1Z999").marker_key(), s("UPS", "1Z998").marker_key());
    assert!(s("UPS", "1Z999").marker_key().starts_with("_woo_connector_shipment_"));
}

#[test]
fn shipment_fields_that_reach_an_email_are_plain_text_and_the_url_is_http() {
    let mut s = Shipment {
        order_id: 1,
        carrier: "DHL".into(),
        tracking_number: "JD01".into(),
        tracking_url: Some("https://dhl.example/t?n=JD01".into()),
    };
    assert!(s.validate().is_ok());
    s.tracking_url = Some("javascript:alert(1)".into());
    assert!(s.validate().is_err());
    s.tracking_url = Some("https://x.example/a b".into());
    assert!(s.validate().is_err());
    s.tracking_url = None;
    s.carrier = "<b>DHL</b>".into();
    assert!(s.validate().is_err());
}

#[test]
fn contact_body_nests_addresses_maps_phone_and_refuses_unknown_fields() {
    let set: Map<String, Value> =
        serde_json::from_str(r#"{"first_name":"Ana","phone":"+33 1","shipping.city":"Lyon","billing.country":"FR"}"#)
            .unwrap();
    assert_eq!(
        contact_body(&set).unwrap(),
        json!({"first_name": "Ana", "billing": {"phone": "+33 1", "country": "FR"}, "shipping": {"city": "Lyon"}})
    );
    let bad: Map<String, Value> = serde_json::from_str(r#"{"role":"administrator"}"#).unwrap();
    assert!(matches!(contact_body(&bad), Err(Error::InvalidInput { field, .. }) if field == "set.role"));
    let bad: Map<String, Value> = serde_json::from_str(r#"{"email":"not-an-email"}"#).unwrap();
    assert!(contact_body(&bad).is_err());
    let bad: Map<String, Value> = serde_json::from_str(r#"{"billing.country":"France"}"#).unwrap();
    assert!(contact_body(&bad).is_err());
}
