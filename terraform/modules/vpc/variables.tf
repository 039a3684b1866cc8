variable "name" {
  type        = string
  description = "Name prefix of every network object, e.g. openmeet-eu-west-1."
}

variable "cidr_block" {
  type        = string
  description = "IPv4 range of the VPC."
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0))
    error_message = "cidr_block must be an IPv4 CIDR such as 10.40.0.0/16."
  }
}

variable "availability_zones" {
  type        = list(string)
  description = "Zones to spread subnets over; at least two for Multi-AZ databases."

  validation {
    condition     = length(var.availability_zones) >= 2
    error_message = "Give at least two availability zones."
  }
}

variable "single_nat_gateway" {
  type        = bool
  description = "One NAT gateway for all private subnets (cheaper) instead of one per zone (survives a zone loss)."
  default     = false
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every object."
  default     = {}
}
