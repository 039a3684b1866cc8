variable "name" {
  type        = string
  description = "Identifier prefix, e.g. openmeet-eu-west-1."
}

variable "vpc_id" {
  type        = string
  description = "VPC of the database (vpc module output vpc_id)."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets in at least two zones (vpc module output private_subnet_ids)."
}

variable "allowed_security_groups" {
  type        = map(string)
  description = "Security groups allowed to connect on 5432, by a name fixed in code (e.g. { eks_nodes = module.eks.cluster_security_group_id }): for_each needs keys known at plan time."
}

variable "instance_class" {
  type        = string
  description = "Instance class; metadata only (users, rooms, call logs), so small classes suffice."
  default     = "db.r6g.large"
}

variable "allocated_storage_gb" {
  type        = number
  description = "Initial storage in GiB."
  default     = 50
}

variable "max_allocated_storage_gb" {
  type        = number
  description = "Storage autoscaling ceiling in GiB."
  default     = 500
}

variable "database_name" {
  type        = string
  description = "Database name (Helm value externalDatabase.database)."
  default     = "openmeet"
}

variable "username" {
  type        = string
  description = "Master user; its password is generated and kept in Secrets Manager."
  default     = "openmeet"
}

variable "backup_retention_days" {
  type        = number
  description = "Days of automated backups and point-in-time recovery."
  default     = 14
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse to delete the database (turn off only to tear an environment down)."
  default     = true
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every object."
  default     = {}
}
