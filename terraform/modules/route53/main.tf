# One name, several regions: Route 53 answers with a region's ingress load balancer, chosen by latency
# (or continent). evaluate_target_health drops a region whose load balancer has no healthy target (no
# ready room-api pod behind the ingress controller).
resource "aws_route53_record" "region" {
  for_each = var.regional_endpoints

  zone_id        = var.zone_id
  name           = var.record_name
  type           = "A"
  set_identifier = each.key

  alias {
    name                   = each.value.lb_dns_name
    zone_id                = each.value.lb_zone_id
    evaluate_target_health = true
  }

  dynamic "latency_routing_policy" {
    for_each = var.routing_policy == "latency" ? [each.value.aws_region] : []

    content {
      region = latency_routing_policy.value
    }
  }

  dynamic "geolocation_routing_policy" {
    for_each = var.routing_policy == "geolocation" ? [each.value.geo_continent] : []

    content {
      continent = geolocation_routing_policy.value == "*" ? null : geolocation_routing_policy.value
      country   = geolocation_routing_policy.value == "*" ? "*" : null
    }
  }
}
