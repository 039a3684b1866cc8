variable "domain" {
  type        = string
  description = "The meeting site's host name, e.g. meet.example.com."
}

variable "zone_id" {
  type        = string
  description = "Route 53 hosted zone of the domain."
}

variable "primary" {
  type = object({
    aws_region         = string
    availability_zones = list(string)
    cidr_block         = string
    geo_continent      = string
  })
  description = "The first region (geo_continent is used only with geolocation routing; \"*\" = everyone else)."

  default = {
    aws_region         = "eu-west-1"
    availability_zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    cidr_block         = "10.40.0.0/16"
    geo_continent      = "*"
  }
}

variable "secondary" {
  type = object({
    aws_region         = string
    availability_zones = list(string)
    cidr_block         = string
    geo_continent      = string
  })
  description = "The second region."

  default = {
    aws_region         = "us-east-1"
    availability_zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
    cidr_block         = "10.41.0.0/16"
    geo_continent      = "NA"
  }
}

variable "redis_auth_token" {
  type        = string
  description = "Redis AUTH token used in both regions (16 to 128 characters)."
  sensitive   = true
}

variable "ingress_load_balancers" {
  type = map(object({
    dns_name = string
    zone_id  = string
  }))
  description = "Per AWS region, the ingress controller's load balancer; known only after the Helm install, so the first apply leaves it empty and DNS is added by a second apply."
  default     = {}
}

variable "routing_policy" {
  type        = string
  description = "latency or geolocation (see modules/route53)."
  default     = "latency"
}
