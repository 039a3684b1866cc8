variable "name" {
  type        = string
  description = "Name of this region's deployment, e.g. openmeet-eu-west-1."
}

variable "aws_region" {
  type        = string
  description = "AWS region (Helm value global.region; the focus places rooms by it)."
}

variable "availability_zones" {
  type        = list(string)
  description = "Zones to use in the region (at least two)."
}

variable "cidr_block" {
  type        = string
  description = "IPv4 range of the region's VPC; give each region its own range."
}

variable "domain" {
  type        = string
  description = "The meeting site's host name, shared by every region (Helm value global.domain)."
}

variable "all_regions" {
  type        = list(string)
  description = "Every region of the deployment (Helm value global.regions: a room link opened in the wrong region is redirected to https://<region>.<domain>)."

  validation {
    condition     = length(var.all_regions) >= 1
    error_message = "Name at least this region."
  }
}

variable "redis_auth_token" {
  type        = string
  description = "Redis AUTH token for ElastiCache."
  sensitive   = true
}

variable "bridge_max_nodes" {
  type        = number
  description = "Most bridge nodes the region may run (also the Helm value jvb.autoscaling.maxReplicas)."
  default     = 20
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every object."
  default     = {}
}
