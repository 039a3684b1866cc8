variable "aws_region" {
  type        = string
  description = "The region this state describes (Helm value global.region)."
}

variable "availability_zones" {
  type        = list(string)
  description = "Zones of the region to use (at least two)."
}

variable "cidr_block" {
  type        = string
  description = "IPv4 range of the region's VPC; give each region its own."
}

variable "domain" {
  type        = string
  description = "The meeting site's host name, shared by every region, e.g. meet.example.com."
}

variable "all_regions" {
  type        = list(string)
  description = "Every region of the deployment, this one included (the same list in every region)."
}

variable "bridge_max_nodes" {
  type        = number
  description = "Most bridge nodes the region may run."
  default     = 20
}

variable "redis_auth_token" {
  type        = string
  description = "Redis AUTH token (16 to 128 characters); also the Kubernetes Secret openmeet-redis, key auth-token."
  sensitive   = true
}
