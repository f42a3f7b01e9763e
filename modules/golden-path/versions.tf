terraform {
  required_version = ">= 1.8"
  required_providers {
    sagesafe = {
      source = "sagesafe/sagesafe"
    }
  }
}
