variable "zone_id" {
  type        = string
  description = "Hosted zone holding the meeting site's name."
}

variable "record_name" {
  type        = string
  description = "The meeting site's host name (Helm value global.domain), e.g. meet.example.com."
}

variable "routing_policy" {
  type        = string
  description = "latency: each browser goes to the region with the lowest latency; geolocation: by continent."
  default     = "latency"

  validation {
    condition     = contains(["latency", "geolocation"], var.routing_policy)
    error_message = "routing_policy must be latency or geolocation."
  }
}

variable "regional_endpoints" {
  type = map(object({
    aws_region    = string
    lb_dns_name   = string
    lb_zone_id    = string
    geo_continent = string
  }))
  description = "Per region (the key is the region name used in <region>.<domain>): the ingress load balancer (known after the Helm install) and the continent it serves under geolocation routing (\"*\" for the default)."
}

variable "health_check_path" {
  type        = string
  description = "Path Route 53 checks on each region's own name: room-api's readiness."
  default     = "/q/health/ready"
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every object."
  default     = {}
}
