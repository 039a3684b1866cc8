variable "primary_region" {
  type        = string
  description = "Region of the provider (Route 53 is global; this also holds the state)."
  default     = "eu-west-1"
}

variable "domain" {
  type        = string
  description = "The meeting site's host name, e.g. meet.example.com."
}

variable "zone_id" {
  type        = string
  description = "Route 53 hosted zone of the domain."
}

variable "routing_policy" {
  type        = string
  description = "latency or geolocation (see modules/route53)."
  default     = "latency"
}

variable "ingress_load_balancers" {
  type = map(object({
    dns_name      = string
    zone_id       = string
    geo_continent = string
  }))
  description = "Per AWS region: the ingress controller's load balancer (kubectl -n ingress-nginx get svc) and, for geolocation routing, its continent (\"*\" = everyone else)."
}
