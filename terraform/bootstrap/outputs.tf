output "backend_config" {
  description = "Lines for live/*/backends/<region>.s3.tfbackend."
  value       = "bucket = \"${module.state.bucket}\"\nregion = \"${var.aws_region}\"\ndynamodb_table = \"${module.state.lock_table}\"\nencrypt = true\n"
}
