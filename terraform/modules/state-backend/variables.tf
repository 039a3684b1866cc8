variable "bucket_name" {
  type        = string
  description = "Name of the state bucket (globally unique), e.g. openmeet-tfstate-<account>-eu-west-1."
}

variable "lock_table_name" {
  type        = string
  description = "Name of the DynamoDB lock table, e.g. openmeet-tfstate-lock."
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every object."
  default     = {}
}
